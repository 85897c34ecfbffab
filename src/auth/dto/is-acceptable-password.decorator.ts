import { applyDecorators } from '@nestjs/common';
import { IsString, Length } from 'class-validator';

/** The shortest and longest password an account can be given. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * A password an account may be given, at signup or in a password change: a string of 8 to 256
 * characters. The upper bound keeps argon2's input (and so its time) bounded.
 *
 * @example
 * ＠IsAcceptablePassword()
 * newPassword!: string;
 */
export const IsAcceptablePassword = (): PropertyDecorator =>
  // Applied in this order so the messages come out as with the decorators stacked by hand.
  applyDecorators(
    Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, {
      message: `$property must be from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
    }),
    IsString(),
  );
