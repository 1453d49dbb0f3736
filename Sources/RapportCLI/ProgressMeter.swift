import Foundation
import Synchronization

/// Progress of long commands (import, export, demo) on standard error: a bar redrawn in place on a
/// terminal, a plain line per tenth otherwise, so logs of scripted runs stay short.
final class ProgressMeter: Sendable {
    private let unit: String
    private let terminal = isatty(STDERR_FILENO) != 0
    private let state = Mutex<(tenth: Int, drawn: Bool)>((-1, false))
    private let started = Date()

    /// - Parameter unit: what is counted (`rows`, `customers`).
    init(unit: String) { self.unit = unit }

    /// Shows `done` of `total` (an estimate may be exceeded), with an optional phase word.
    func update(_ done: Int, of total: Int, phase: String? = nil) {
        let percent = total > 0 ? min(100, done * 100 / total) : 100
        let rate = Int(Double(done) / max(0.001, Date().timeIntervalSince(started)))
        let label = phase.map { "\($0) " } ?? ""
        let show = state.withLock { state -> Bool in
            guard terminal || percent / 10 > state.tenth else { return false }
            state = (percent / 10, terminal)
            return true
        }
        guard show else { return }
        if terminal {
            let bar = String(repeating: "#", count: percent / 4) + String(repeating: "-", count: 25 - percent / 4)
            write("\r\(label)[\(bar)] \(percent)%  \(done)/\(max(total, done)) \(unit)  \(rate)/s   ")
        } else {
            write("\(label)\(percent)% (\(done)/\(max(total, done)) \(unit), \(rate)/s)\n")
        }
    }

    /// Ends the bar's line (on a terminal).
    func finish() {
        if state.withLock({ $0.drawn }) { write("\n") }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
