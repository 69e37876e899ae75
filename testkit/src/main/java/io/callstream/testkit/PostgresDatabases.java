package io.callstream.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/** Creates the database of a service on a PostgreSQL server, as a platform team would once. */
public final class PostgresDatabases {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /** Creates {@code name} (owned by {@code owner} when given) unless it exists. */
    public static void ensure(String adminUrl, String user, String password, String name, String owner) {
        if (!NAME.matcher(name).matches() || (owner != null && !NAME.matcher(owner).matches())) {
            throw new IllegalArgumentException("not a plain database or role name: " + name + " / " + owner);
        }
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery(); Statement st = c.createStatement()) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + name + (owner == null ? "" : " OWNER " + owner));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Creates a login role with a password unless it exists. */
    public static void ensureRole(String adminUrl, String user, String password, String role, String rolePassword) {
        if (!NAME.matcher(role).matches()) {
            throw new IllegalArgumentException("not a plain role name: " + role);
        }
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            exists.setString(1, role);
            try (ResultSet rs = exists.executeQuery(); Statement st = c.createStatement()) {
                if (!rs.next()) {
                    st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + rolePassword.replace("'", "''") + "'");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create role " + role + ": " + e.getMessage(), e);
        }
    }

    /** The same server's URL for another database. */
    public static String urlOf(String adminUrl, String database) {
        return adminUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1");
    }

    private PostgresDatabases() {
    }
}
