import { ApiProperty } from '@nestjs/swagger';
import type { PublicUser } from '../user.js';

/** A user as responses show one (`GET /me`, signup, login). */
export class PublicUserResponse implements PublicUser {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ann@example.com' })
  email!: string;

  @ApiProperty({ type: [String], example: ['user'], description: 'Always contains "user".' })
  roles!: string[];
}
