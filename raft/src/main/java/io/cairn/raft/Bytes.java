package io.cairn.raft;

/** Rendering of byte arrays in traces and toString: printable ASCII as text, else hex. */
final class Bytes {
    private Bytes() {}

    static String printable(byte[] data) {
        if (data == null) {
            return "null";
        }
        boolean ascii = true;
        for (byte b : data) {
            if (b < 0x20 || b > 0x7e) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return "\"" + new String(data, java.nio.charset.StandardCharsets.US_ASCII) + "\"";
        }
        StringBuilder sb = new StringBuilder("0x");
        for (byte b : data) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
