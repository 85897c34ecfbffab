import { ApiProperty } from '@nestjs/swagger';

/**
 * Body of `POST /auth/elevate`, for the API description only: the route reads the body itself
 * (`readPasswordConfirmation`), and an unusable one is a 401 like a wrong password.
 */
export class ElevationBody {
  @ApiProperty({ format: 'password', description: "The signed-in user's password." })
  password!: string;
}
