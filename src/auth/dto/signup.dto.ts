import { Transform } from 'class-transformer';
import { IsEmail } from 'class-validator';
import { normalizeEmail } from '../../users/normalize-email.js';
import { IsAcceptablePassword } from './is-acceptable-password.decorator.js';

/** Body of `POST /auth/signup`. Unknown fields (such as `roles`) are stripped by the pipe. */
export class SignupDto {
  // Normalised before validation, so " Ann@Example.COM " is accepted and stored as at login.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeEmail(value) : value,
  )
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  @IsAcceptablePassword()
  password!: string;
}
