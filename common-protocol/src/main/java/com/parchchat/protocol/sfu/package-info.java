/**
 * SFU signalling frames: JSON text frames on the SFU's WebSocket (see {@code docs/protocol.md},
 * "SFU signalling"). The SFU always makes the SDP offer; the client answers. Frames are encoded and
 * decoded with {@link com.parchchat.protocol.signal.SignalCodec}.
 */
package com.parchchat.protocol.sfu;
