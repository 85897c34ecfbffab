import { Transform } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail } from 'class-validator';
import { normalizeEmail } from '../../users/normalize-email.js';
import { IsAcceptablePassword } from './is-acceptable-password.decorator.js';

/** Body of `POST /auth/signup`. Unknown fields (such as `roles`) are stripped by the pipe. */
export class SignupDto {
  @ApiProperty({ example: 'ann@example.com', description: 'Trimmed and lower-cased.' })
  // Normalised before validation, so " Ann@Example.COM " is accepted and stored as at login.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeEmail(value) : value,
  )
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  @ApiProperty({ format: 'password', minLength: 8, maxLength: 256 })
  @IsAcceptablePassword()
  password!: string;
}
