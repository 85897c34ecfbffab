import { ApiProperty } from '@nestjs/swagger';
import type { DeviceView } from '../device.presenter.js';

class DeviceDescriptionResponse {
  @ApiProperty({ example: 'Firefox' })
  browser!: string;

  @ApiProperty({ example: 'Linux' })
  os!: string;

  @ApiProperty({ example: 'desktop' })
  type!: string;
}

/** One item of `GET /sessions`: one of the user's signed-in devices. */
export class DeviceResponse implements DeviceView {
  @ApiProperty({ description: 'Public session id (what DELETE /sessions/{id} takes).' })
  id!: string;

  @ApiProperty({ description: 'The session of the request that asked.' })
  current!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  lastSeenAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  elevatedUntil!: string | null;

  @ApiProperty({ example: '203.0.113.7' })
  ip!: string;

  @ApiProperty()
  userAgent!: string;

  @ApiProperty({ type: DeviceDescriptionResponse })
  device!: DeviceDescriptionResponse;
}
