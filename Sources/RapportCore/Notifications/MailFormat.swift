import Foundation

/// Writing an email as SMTP carries it (RFC 5322 headers, MIME UTF-8 text bodies, RFC 2047
/// encoded-word headers, SMTP dot-stuffing). Pure: the date and the Message-ID are passed in.
public enum MailFormat {
    /// Whether `address` is a bare mailbox SMTP and a header can carry as is: `local@domain`,
    /// printable ASCII, no spaces, brackets or line breaks (which could inject commands or headers).
    public static func isMailbox(_ address: String) -> Bool {
        guard address.count <= 254, address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !address.contains(where: { "<>()[],;:\\\"".contains($0) }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// A header value: as is when it is printable ASCII, otherwise RFC 2047 encoded-words
    /// (`=?UTF-8?B?…?=`, each at most 75 characters, split between characters) folded onto
    /// continuation lines. Line breaks in `text` become spaces (no header can be injected).
    public static func headerValue(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && flat.utf8.count <= 900 { return flat }
        // 75 - "=?UTF-8?B?".count - "?=".count = 63 base64 characters: at most 45 bytes a word.
        var words: [String] = []
        var chunk = ""
        for character in flat {
            if chunk.utf8.count + String(character).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045) of UTF-8 text, lines ending in CRLF and at most 76 characters
    /// (soft breaks `=` where longer).
    public static func quotedPrintable(_ text: String) -> String {
        let lines = normalizedLines(text)
        return lines.map { line -> String in
            var encoded: [String] = []
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !last) {
                    encoded.append(String(UnicodeScalar(byte)))
                } else {
                    encoded.append(String(format: "=%02X", byte))
                }
            }
            var output = ""
            var width = 0
            for piece in encoded {
                if width + piece.count > 75 {
                    output += "=\r\n"
                    width = 0
                }
                output += piece
                width += piece.count
            }
            return output
        }.joined(separator: "\r\n")
    }

    /// Base64 of UTF-8 text (lines normalized to CRLF first), in lines of 76 characters.
    public static func base64(_ text: String) -> String {
        let encoded = Data(normalizedLines(text).joined(separator: "\r\n").utf8).base64EncodedString()
        var lines: [Substring] = []
        var rest = encoded[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }

    /// The transfer encoding a body is sent in: quoted-printable when it is mostly ASCII
    /// (readable in the raw), base64 when mostly not (shorter for Chinese text).
    public static func transferEncoding(of body: String) -> String {
        let bytes = body.utf8
        let high = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        return high * 4 > bytes.count ? "base64" : "quoted-printable"
    }

    /// SMTP's transparency (RFC 5321 §4.5.2): a line that begins with `.` gets another.
    public static func dotStuffed(_ message: String) -> String {
        message.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
    }

    /// An RFC 5322 date in UTC: `Mon, 05 Jan 2026 09:00:00 +0000`.
    public static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// The whole message (headers, blank line, encoded body), lines ending in CRLF, not yet dot-stuffed.
    /// - Parameters:
    ///   - messageID: unique, e.g. `<random@sender-domain>`.
    public static func message(from: String, to: [String], subject: String, body: String, date: Date, messageID: String) -> String {
        let encoding = transferEncoding(of: body)
        let headers = [
            "Date: " + Self.date(date),
            "From: " + from,
            "To: " + to.joined(separator: ", "),
            "Subject: " + headerValue(subject),
            "Message-ID: " + messageID,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: " + encoding,
            "Auto-Submitted: auto-generated",
        ]
        let encoded = encoding == "base64" ? base64(body) : quotedPrintable(body)
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n"
    }

    static func normalizedLines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").components(separatedBy: "\n")
    }
}
