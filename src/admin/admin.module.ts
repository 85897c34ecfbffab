import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AdminUsersController } from './admin-users.controller.js';

/** Admin routes: roles and logout-everywhere for any account. */
@Module({
  imports: [UsersModule],
  controllers: [AdminUsersController],
})
export class AdminModule {}
