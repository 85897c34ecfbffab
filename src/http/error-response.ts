import { ApiProperty } from '@nestjs/swagger';

/** Body of every error answer: Nest's standard shape (API.md). Never a stack, key or token. */
export class ErrorResponse {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ example: 'Unauthorized' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong; a list of messages for a body that failed validation.',
    example: 'Unauthorized',
  })
  message!: string | string[];
}
