package com.parchchat.relay.account;

import com.parchchat.protocol.signal.UserRef;
import com.parchchat.relay.store.UserRecord;

/** A verified bearer token: the user behind it and the id of its login session. */
public record AuthenticatedSession(UserRecord user, String sessionId) {
  public UserRef ref() {
    return new UserRef(user.id(), user.username(), user.displayName());
  }
}
