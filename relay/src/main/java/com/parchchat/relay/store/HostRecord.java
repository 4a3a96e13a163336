package com.parchchat.relay.store;

/** A row of {@code hosts}: a registered host and its raw 32-byte Ed25519 public key. */
public record HostRecord(String id, String name, byte[] publicKey, String ownerId, long createdAt) {}
