/** Every message the app puts in an HTTP error body, in one place. */
export const AppErrorMessages = {
  invalidCredentials: 'Invalid email or password',
  emailTaken: 'Email already registered',
  userGone: 'Authentication required',
  sessionNotFound: 'Session not found',
  userNotFound: 'User not found',
  redisUnreachable: 'Redis is unreachable',
  tooManyAttempts: 'Too many login attempts; try again later',
  routeNotFound: 'No such route',
  malformedUrl: 'Malformed URL',
} as const;
