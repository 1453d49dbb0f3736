/// A compiled regular expression of the small subset libphonenumber's metadata uses, over decimal
/// digits only: digits, `\d`, digit classes `[0-35-9]`, groups `(?:…)` and capturing `(…)`,
/// alternation `|`, the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`, and the end anchor `$`.
///
/// It is compiled once into a small program and run by a backtracking matcher (like Java's, which
/// the metadata is written for, so the first match found is the one Java's `lookingAt` finds). The
/// inputs are short (at most ~20 digits) and the patterns trusted, and a step budget bounds the work
/// anyway. Foundation's `NSRegularExpression` is far too slow for a per-row import, and Swift `Regex`
/// is slower than this too; see `PhoneNumber` for the measured throughput.
struct PhonePattern: Sendable {
    fileprivate enum Op: UInt8 {
        case digit   // consume one digit in `mask`
        case split   // try `x`, then `y`
        case jump    // go to `x`
        case save    // record the position in capture slot `x`
        case end     // assert the end of the input
        case match
    }

    fileprivate struct Instruction {
        var op: Op
        var mask: UInt16 = 0
        var x: Int32 = 0
        var y: Int32 = 0
    }

    private let program: [Instruction]
    /// The number of capturing groups.
    let groupCount: Int

    /// Compiles `source`; nil when it is outside the subset (the generator checks every pattern, and
    /// the dataset tests exercise them, so this does not happen with the committed metadata).
    init?(_ source: String) {
        var parser = Parser(Array(source.utf8))
        guard let node = parser.parseAll() else { return nil }
        var emitter = Emitter()
        emitter.emit(node)
        emitter.append(Instruction(op: .match))
        program = emitter.program
        groupCount = parser.groups
    }

    /// Whether the pattern matches all of `digits` (values 0…9).
    func matches(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        run(digits, full: true, slots: nil) >= 0
    }

    /// Whether the pattern matches all of `digits` (values 0…9).
    func matches(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBufferPointer { run($0, full: true, slots: nil) >= 0 }
    }

    /// Java's `lookingAt`: the end of the first match at the start of `digits`, or nil.
    func prefixMatch(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        let end = run(digits, full: false, slots: nil)
        return end >= 0 ? end : nil
    }

    /// `lookingAt` with the capturing groups: the end of the match and, for each group 1…n, its range
    /// or nil when it did not take part.
    func prefixMatchWithGroups(_ digits: UnsafeBufferPointer<UInt8>) -> (end: Int, groups: [Range<Int>?])? {
        var slots = [Int32](repeating: -1, count: 2 * (groupCount + 1))
        let end = slots.withUnsafeMutableBufferPointer { run(digits, full: false, slots: $0) }
        guard end >= 0 else { return nil }
        var groups: [Range<Int>?] = []
        if groupCount > 0 {
            for group in 1...groupCount {
                let start = Int(slots[2 * group]), stop = Int(slots[2 * group + 1])
                groups.append(start >= 0 && stop >= start ? start..<stop : nil)
            }
        }
        return (end, groups)
    }

    private struct Frame {
        var pc: Int32
        var pos: Int32
        /// -1 for a branch to retry; otherwise a capture slot to restore to `pos`.
        var slot: Int32
    }

    /// Runs the program from position 0; returns the end of the match or -1.
    private func run(_ input: UnsafeBufferPointer<UInt8>, full: Bool, slots: UnsafeMutableBufferPointer<Int32>?) -> Int {
        let count = input.count
        var stack: [Frame] = []
        stack.reserveCapacity(16)
        var budget = 200_000
        return program.withUnsafeBufferPointer { code -> Int in
            var pc = 0
            var pos = 0
            while true {
                budget -= 1
                if budget == 0 { return -1 }
                let instruction = code[pc]
                var failed = false
                switch instruction.op {
                case .digit:
                    if pos < count, instruction.mask & (1 << UInt16(input[pos])) != 0 {
                        pos += 1
                        pc += 1
                    } else {
                        failed = true
                    }
                case .split:
                    stack.append(Frame(pc: instruction.y, pos: Int32(pos), slot: -1))
                    pc = Int(instruction.x)
                case .jump:
                    pc = Int(instruction.x)
                case .save:
                    if let slots {
                        let slot = Int(instruction.x)
                        stack.append(Frame(pc: 0, pos: slots[slot], slot: Int32(slot)))
                        slots[slot] = Int32(pos)
                    }
                    pc += 1
                case .end:
                    if pos == count { pc += 1 } else { failed = true }
                case .match:
                    if !full || pos == count { return pos }
                    failed = true
                }
                if failed {
                    var resumed = false
                    while let frame = stack.popLast() {
                        if frame.slot >= 0 {
                            slots?[Int(frame.slot)] = frame.pos
                        } else {
                            pc = Int(frame.pc)
                            pos = Int(frame.pos)
                            resumed = true
                            break
                        }
                    }
                    if !resumed { return -1 }
                }
            }
        }
    }

    // MARK: - Parsing

    private indirect enum Node {
        case digits(UInt16)
        case sequence([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
        case group(Node, capture: Int?)
        case end
    }

    private struct Parser {
        let text: [UInt8]
        var index = 0
        var groups = 0

        init(_ text: [UInt8]) { self.text = text }

        var peek: UInt8? { index < text.count ? text[index] : nil }

        mutating func parseAll() -> Node? {
            guard let node = parseAlternation(), index == text.count else { return nil }
            return node
        }

        mutating func parseAlternation() -> Node? {
            var branches: [Node] = []
            repeat {
                if !branches.isEmpty { index += 1 }  // the "|"
                guard let branch = parseSequence() else { return nil }
                branches.append(branch)
            } while peek == UInt8(ascii: "|")
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() -> Node? {
            var items: [Node] = []
            while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                guard var atom = parseAtom() else { return nil }
                // One quantifier at most: Java reads "x??" or "x?+" as lazy or possessive, not supported.
                switch peek {
                case UInt8(ascii: "?"): atom = .repetition(atom, min: 0, max: 1); index += 1
                case UInt8(ascii: "*"): atom = .repetition(atom, min: 0, max: nil); index += 1
                case UInt8(ascii: "+"): atom = .repetition(atom, min: 1, max: nil); index += 1
                case UInt8(ascii: "{"):
                    guard let (low, high) = parseBraces() else { return nil }
                    atom = .repetition(atom, min: low, max: high)
                default: break
                }
                if let q = peek, q == UInt8(ascii: "?") || q == UInt8(ascii: "*") || q == UInt8(ascii: "+") || q == UInt8(ascii: "{") {
                    return nil
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        /// `{n}`, `{n,}` or `{n,m}`, the index on the "{".
        mutating func parseBraces() -> (Int, Int?)? {
            index += 1
            guard let low = parseNumber() else { return nil }
            var high: Int? = low
            if peek == UInt8(ascii: ",") {
                index += 1
                high = peek == UInt8(ascii: "}") ? nil : parseNumber()
                if high == nil && peek != UInt8(ascii: "}") { return nil }
            }
            guard peek == UInt8(ascii: "}"), low <= (high ?? low), low <= 40, (high ?? 0) <= 40 else { return nil }
            index += 1
            return (low, high)
        }

        mutating func parseNumber() -> Int? {
            var value: Int?
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                value = (value ?? 0) * 10 + Int(c - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }

        mutating func parseAtom() -> Node? {
            guard let c = peek else { return nil }
            index += 1
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .digits(1 << UInt16(c - UInt8(ascii: "0")))
            case UInt8(ascii: "\\"):
                guard peek == UInt8(ascii: "d") else { return nil }
                index += 1
                return .digits(0x3FF)
            case UInt8(ascii: "$"):
                return .end
            case UInt8(ascii: "["):
                var mask: UInt16 = 0
                while let d = peek, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") {
                    index += 1
                    var last = d
                    if peek == UInt8(ascii: "-") {
                        index += 1
                        guard let e = peek, e >= d, e <= UInt8(ascii: "9") else { return nil }
                        index += 1
                        last = e
                    }
                    for v in d...last { mask |= 1 << UInt16(v - UInt8(ascii: "0")) }
                }
                guard peek == UInt8(ascii: "]"), mask != 0 else { return nil }
                index += 1
                return .digits(mask)
            case UInt8(ascii: "("):
                var capture: Int?
                if peek == UInt8(ascii: "?") {
                    guard index + 1 < text.count, text[index + 1] == UInt8(ascii: ":") else { return nil }
                    index += 2
                } else {
                    groups += 1
                    capture = groups
                }
                guard let inner = parseAlternation(), peek == UInt8(ascii: ")") else { return nil }
                index += 1
                return .group(inner, capture: capture)
            default:
                return nil
            }
        }
    }

    // MARK: - Code generation

    private struct Emitter {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) { program.append(instruction) }

        var here: Int32 { Int32(program.count) }

        mutating func emit(_ node: Node) {
            switch node {
            case .digits(let mask):
                append(Instruction(op: .digit, mask: mask))
            case .end:
                append(Instruction(op: .end))
            case .sequence(let items):
                for item in items { emit(item) }
            case .group(let inner, let capture):
                if let capture { append(Instruction(op: .save, x: Int32(2 * capture))) }
                emit(inner)
                if let capture { append(Instruction(op: .save, x: Int32(2 * capture + 1))) }
            case .alternation(let branches):
                // split L1, next; L1: a; jump end; next: split L2, next2; … last: z; end:
                var jumps: [Int] = []
                for (i, branch) in branches.enumerated() {
                    if i < branches.count - 1 {
                        let split = program.count
                        append(Instruction(op: .split, x: here + 1))
                        emit(branch)
                        jumps.append(program.count)
                        append(Instruction(op: .jump))
                        program[split].y = here
                    } else {
                        emit(branch)
                    }
                }
                for jump in jumps { program[jump].x = here }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { emit(inner) }
                if let max {
                    // Nested optionals, (x(x(x)?)?)?, so that backtracking stays linear.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        append(Instruction(op: .split, x: here + 1))
                        emit(inner)
                    }
                    for split in splits { program[split].y = here }
                } else {
                    let loop = here
                    append(Instruction(op: .split, x: here + 1))
                    emit(inner)
                    append(Instruction(op: .jump, x: loop))
                    program[Int(loop)].y = here
                }
            }
        }
    }
}
