package com.parchchat.protocol.stun;

/**
 * STUN method numbers (12 bits): Binding from RFC 8489 §18.2 and the TURN methods of
 * RFC 8656 §17. Methods are plain ints because any 12-bit value may arrive on the wire;
 * a server answers unknown methods itself.
 */
public final class StunMethod {
  public static final int BINDING = 0x001;
  public static final int ALLOCATE = 0x003;
  public static final int REFRESH = 0x004;
  public static final int SEND = 0x006;
  public static final int DATA = 0x007;
  public static final int CREATE_PERMISSION = 0x008;
  public static final int CHANNEL_BIND = 0x009;

  private StunMethod() {}

  /** A readable name for logs, e.g. {@code Allocate} or {@code 0x0ab}. */
  public static String name(int method) {
    switch (method) {
      case BINDING:
        return "Binding";
      case ALLOCATE:
        return "Allocate";
      case REFRESH:
        return "Refresh";
      case SEND:
        return "Send";
      case DATA:
        return "Data";
      case CREATE_PERMISSION:
        return "CreatePermission";
      case CHANNEL_BIND:
        return "ChannelBind";
      default:
        return String.format("0x%03x", method);
    }
  }

  /**
   * Packs method and class into the 14-bit message type (RFC 8489 §5, Figure 3):
   * <pre>
   *  0                 1
   *  2  3  4 5 6 7 8 9 0 1 2 3 4 5
   * +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
   * |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
   * |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
   * +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  public static int messageType(int method, StunClass cls) {
    int c = cls.bits();
    return (method & 0x000F)
        | ((method & 0x0070) << 1)
        | ((method & 0x0F80) << 2)
        | ((c & 0b01) << 4)
        | ((c & 0b10) << 7);
  }

  static int methodOf(int messageType) {
    return (messageType & 0x000F) | ((messageType >> 1) & 0x0070) | ((messageType >> 2) & 0x0F80);
  }

  static StunClass classOf(int messageType) {
    return StunClass.ofBits(((messageType >> 4) & 0b01) | ((messageType >> 7) & 0b10));
  }
}
