package com.parchchat.sfu.signal;

/** The verified content of an SFU token. */
public record SfuToken(String userId, String room, String name, boolean canSpeak, long expiresAtEpochSeconds) {}
