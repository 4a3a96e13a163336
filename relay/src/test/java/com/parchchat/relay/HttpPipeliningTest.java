package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/1.1 pipelining over one raw socket: answers come in request order even when one is slow. */
class HttpPipeliningTest {
  @TempDir Path dir;

  @Test
  void responsesKeepRequestOrder() throws Exception {
    try (TestRelay relay = TestRelay.start(dir); Socket socket = new Socket("127.0.0.1", relay.port())) {
      socket.setSoTimeout(20_000);
      String login = "{\"username\":\"nobody\",\"password\":\"wrong password\"}";
      String requests =
          "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n"
              + "POST /api/v1/sessions HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: "
              + login.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + login
              + "GET /api/v1/hosts/h_missing HTTP/1.1\r\nHost: relay\r\n\r\n"
              + "GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(requests.getBytes(StandardCharsets.UTF_8));
      out.flush();
      // bodies carry no trailing newline, so a status line may follow a body on the same line
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      List<String> statusLines = new ArrayList<>();
      Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(all);
      while (m.find()) {
        statusLines.add(m.group(1));
      }
      // login runs Argon2id on the blocking executor; the quick answers after it must wait for it
      assertThat(statusLines).containsExactly("200", "401", "404", "200");
    }
  }
}
