package com.parchchat.relay.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Optional TLS: both PEM files or neither. The key must be PKCS#8 PEM.
 *
 * @param certificate PEM certificate chain file, or null for plain HTTP/WS
 * @param privateKey PEM PKCS#8 private key file, or null
 */
public record TlsConfig(Path certificate, Path privateKey) {
  public TlsConfig {
    if ((certificate == null) != (privateKey == null)) {
      throw new IllegalArgumentException(
          "config keys 'tls.certificate' and 'tls.privateKey' must be set together");
    }
    if (certificate != null && !Files.isReadable(certificate)) {
      throw new IllegalArgumentException("config key 'tls.certificate': cannot read " + certificate);
    }
    if (privateKey != null && !Files.isReadable(privateKey)) {
      throw new IllegalArgumentException("config key 'tls.privateKey': cannot read " + privateKey);
    }
  }

  public boolean enabled() {
    return certificate != null;
  }
}
