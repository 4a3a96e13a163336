package com.parchchat.testkit.netns;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Runs inside a namespace. {@code echo <port>}: answers every datagram with "from <sender ip>".
 * {@code probe <host:port>...}: sends one datagram to each target (3 tries, 300 ms each) and prints
 * "reply <target> <text>" or "timeout <target>".
 */
public final class UdpTool {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("echo")) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(Integer.parseInt(args[1])))) {
                System.out.println("ready");
                System.out.flush();
                byte[] buf = new byte[1500];
                for (int i = 0; i < 1000; i++) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    String sender = p.getAddress().getHostAddress();
                    System.out.println("seen " + sender);
                    System.out.flush();
                    byte[] reply = ("from " + sender).getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
            }
        } else {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(300);
                for (int t = 1; t < args.length; t++) {
                    String[] hp = args[t].split(":");
                    InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]));
                    String result = "timeout " + args[t];
                    for (int attempt = 0; attempt < 3; attempt++) {
                        byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
                        try {
                            s.send(new DatagramPacket(ping, ping.length, target));
                        } catch (java.io.IOException e) {
                            result = "unreachable " + args[t];
                            break;
                        }
                        byte[] buf = new byte[1500];
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        try {
                            s.receive(p);
                            result = "reply " + args[t] + " "
                                    + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                            break;
                        } catch (SocketTimeoutException e) {
                            // try again
                        }
                    }
                    System.out.println(result);
                }
            }
            System.out.println("done");
        }
    }
}
