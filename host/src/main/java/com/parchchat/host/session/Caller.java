package com.parchchat.host.session;

import com.parchchat.protocol.signal.UserRef;

/** Who made a request: the relay session and the user the relay verified behind it. */
public record Caller(String session, UserRef user) {
  public String userId() {
    return user.id();
  }
}
