import { ApiProperty } from '@nestjs/swagger';
import { PublicUserResponse } from '../../users/dto/public-user-response.js';

class LoginSessionResponse {
  @ApiProperty({ description: 'Public session id (as in GET /sessions); never the token.' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the session ends if left idle.' })
  expiresAt!: string;
}

/** Body of a successful `POST /auth/login`; the token itself is only in the Set-Cookie. */
export class LoginResponse {
  @ApiProperty({ type: PublicUserResponse })
  user!: PublicUserResponse;

  @ApiProperty({ type: LoginSessionResponse })
  session!: LoginSessionResponse;
}
