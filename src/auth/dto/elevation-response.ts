import { ApiProperty } from '@nestjs/swagger';

/** Body of a successful `POST /auth/elevate`. */
export class ElevationResponse {
  @ApiProperty({ format: 'date-time', description: 'The end of step-up mode.' })
  elevatedUntil!: string;
}
