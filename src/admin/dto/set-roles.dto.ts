import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { MAX_GRANTED_ROLES, ROLE_PATTERN } from '../../users/user.js';

const ROLE_LIST_MESSAGE = `$property must be an array of at most ${MAX_GRANTED_ROLES} roles, each a lowercase identifier (a letter, then letters, digits, "_" or "-"; at most 32 characters)`;

/** One rule, so a bad list gets one message instead of one per failed sub-check. */
const IsRoleList = (): PropertyDecorator =>
  ValidateBy({
    name: 'isRoleList',
    validator: {
      validate: (value: unknown): boolean =>
        Array.isArray(value) &&
        value.length <= MAX_GRANTED_ROLES &&
        value.every((role) => typeof role === 'string' && ROLE_PATTERN.test(role)),
      defaultMessage: () => ROLE_LIST_MESSAGE,
    },
  });

/** Body of `POST /admin/users/:id/roles`: the user's complete new set of roles. */
export class SetRolesDto {
  @ApiProperty({
    type: [String],
    maxItems: MAX_GRANTED_ROLES,
    example: ['auditor'],
    description: 'The complete new set; "user" is always kept.',
  })
  @IsRoleList()
  roles!: string[];
}
