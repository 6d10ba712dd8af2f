actor HangSwitch {
    private var used = false

    func firstTime() -> Bool {
        defer { used = true }
        return !used
    }
}
