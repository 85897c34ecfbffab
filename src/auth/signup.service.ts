import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { AppErrorMessages } from '../app-error-messages.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Role, User } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';
import type { SignupDto } from './dto/signup.dto.js';
import { PasswordHasher } from './password-hasher.js';

/** Creates accounts. */
@Injectable()
export class SignupService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The new user; 409 when the (already normalised) email is taken. */
  async signUp({ email, password }: SignupDto): Promise<User> {
    // The email index is claimed with SET NX, so only the first account with ADMIN_EMAIL can
    // ever exist, hence be admin.
    const roles: Role[] = email === this.config.adminEmail ? ['user', 'admin'] : ['user'];
    const passwordHash = await this.hasher.hash(password);
    const user = await this.users.create({ email, passwordHash, roles });
    if (user === null) throw new ConflictException(AppErrorMessages.emailTaken);
    return user;
  }
}
