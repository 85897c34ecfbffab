import { ApiProperty } from '@nestjs/swagger';

/** Body of a healthy `GET /health`. */
export class HealthReportResponse {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ enum: ['up'] })
  redis!: 'up';
}
