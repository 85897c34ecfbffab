import { ApiProperty } from '@nestjs/swagger';

/** Body of a successful `POST /admin/users/:id/roles`. */
export class UserRolesResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: [String], example: ['user', 'auditor'] })
  roles!: string[];
}
