package com.parchchat.relay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Registered hosts and their Ed25519 public keys. */
public final class HostStore {
  private final RelayDatabase db;

  public HostStore(RelayDatabase db) {
    this.db = db;
  }

  /** Inserts a host; a key registered before gives a {@link StoreException} with a unique violation. */
  public void insert(HostRecord h) {
    db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO hosts (id, name, public_key, owner_id, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, h.id());
            ps.setString(2, h.name());
            ps.setBytes(3, h.publicKey());
            ps.setString(4, h.ownerId());
            ps.setLong(5, h.createdAt());
            return ps.executeUpdate();
          }
        });
  }

  public Optional<HostRecord> byId(String id) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT * FROM hosts WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<HostRecord>empty();
              }
              return Optional.of(
                  new HostRecord(
                      rs.getString("id"),
                      rs.getString("name"),
                      rs.getBytes("public_key"),
                      rs.getString("owner_id"),
                      rs.getLong("created_at")));
            }
          }
        });
  }

  /** The id of the host registered with this key, if any. */
  public Optional<String> idByPublicKey(byte[] key) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hosts WHERE public_key = ?")) {
            ps.setBytes(1, key);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }
}
