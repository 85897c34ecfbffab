import { ApiProperty } from '@nestjs/swagger';

/**
 * Body of `POST /auth/login`, for the API description only: the login guard reads the body
 * itself (`readLoginCredentials`), and an unusable one is a 401 like a wrong password.
 */
export class LoginBody {
  @ApiProperty({ example: 'ann@example.com', maxLength: 320 })
  email!: string;

  @ApiProperty({ format: 'password', maxLength: 256 })
  password!: string;
}
