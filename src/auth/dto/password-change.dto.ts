import { IsString } from 'class-validator';
import { IsAcceptablePassword } from './is-acceptable-password.decorator.js';

/** Body of `POST /auth/password`. */
export class PasswordChangeDto {
  // Any string is checked against the stored hash: a wrong one is a 401, not a 400.
  @IsString()
  currentPassword!: string;

  @IsAcceptablePassword()
  newPassword!: string;
}
