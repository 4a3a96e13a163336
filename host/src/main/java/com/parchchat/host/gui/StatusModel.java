package com.parchchat.host.gui;

import java.util.List;

/** What the status window shows; read on the FX thread once a second, so keep calls cheap. */
public interface StatusModel {
  String name();

  String hostKey();

  /** e.g. "online", "connecting", "offline". */
  String relayStatus();

  /** Display names (and usernames) of users with a session on this host. */
  List<String> onlineUsers();

  List<String> logLines();
}
