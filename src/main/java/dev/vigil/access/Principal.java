package dev.vigil.access;

import java.util.List;
import java.util.Objects;

/**
 * Who is calling: a console user with roles, or a payment-rail client holding an API key.
 *
 * @param name the username, or the client name for an API key
 * @param roles empty for an API client
 * @param apiClient true for an API key holder
 */
public record Principal(String name, List<Role> roles, boolean apiClient) {
    public Principal {
        Objects.requireNonNull(name, "name");
        roles = List.copyOf(roles);
    }

    public static Principal user(String username, List<Role> roles) {
        return new Principal(username, roles, false);
    }

    public static Principal client(String client) {
        return new Principal(client, List.of(), true);
    }

    public boolean may(Permission p) {
        return !apiClient && Role.anyGrants(roles, p);
    }
}
