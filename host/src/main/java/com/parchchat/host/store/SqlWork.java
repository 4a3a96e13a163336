package com.parchchat.host.store;

import java.sql.SQLException;

/** A unit of database work run on a {@link Db} handle by the {@link Store}. */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Db db) throws SQLException;
}
