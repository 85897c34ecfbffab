import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { IsAcceptablePassword } from './is-acceptable-password.decorator.js';

/** Body of `POST /auth/password`. */
export class PasswordChangeDto {
  @ApiProperty({ format: 'password' })
  // Any string is checked against the stored hash: a wrong one is a 401, not a 400.
  @IsString()
  currentPassword!: string;

  @ApiProperty({ format: 'password', minLength: 8, maxLength: 256 })
  @IsAcceptablePassword()
  newPassword!: string;
}
