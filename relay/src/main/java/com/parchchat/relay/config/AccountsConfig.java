package com.parchchat.relay.config;

/**
 * Session lifetime and Argon2id cost. Defaults follow the OWASP Password Storage Cheat Sheet's
 * Argon2id row (m=19 MiB, t=2, p=1).
 *
 * @param sessionTtlDays a login session expires this many days after its last use
 * @param resetTokenTtlMinutes a password-reset token is valid this long (single use)
 * @param argon2MemoryKib Argon2id memory cost in KiB
 * @param argon2Iterations Argon2id time cost
 * @param argon2Parallelism Argon2id lanes
 * @param hashingThreads threads of the executor that runs Argon2id and database work
 */
public record AccountsConfig(
    int sessionTtlDays,
    int resetTokenTtlMinutes,
    int argon2MemoryKib,
    int argon2Iterations,
    int argon2Parallelism,
    int hashingThreads) {

  public AccountsConfig {
    Check.range("accounts.sessionTtlDays", sessionTtlDays, 1, 3650);
    Check.range("accounts.resetTokenTtlMinutes", resetTokenTtlMinutes, 1, 24 * 60);
    Check.range("accounts.argon2MemoryKib", argon2MemoryKib, 8, 4 << 20);
    Check.range("accounts.argon2Iterations", argon2Iterations, 1, 100);
    Check.range("accounts.argon2Parallelism", argon2Parallelism, 1, 64);
    Check.range("accounts.hashingThreads", hashingThreads, 1, 256);
  }
}
