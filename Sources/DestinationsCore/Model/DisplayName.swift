/// A name people give a destination or a workspace: 1 to 255 code points, not blank, no control characters.
public enum DisplayName {
    public static func validated(_ name: String, field: String) throws(APIError) -> String {
        guard TextPatterns.matches(name, TextPatterns.nonBlank) else {
            throw .unprocessable("\(field) must not be empty")
        }
        guard name.codePoints <= TextPatterns.maximumNameLength else {
            throw .unprocessable("\(field) must be at most \(TextPatterns.maximumNameLength) characters")
        }
        guard TextPatterns.matches(name, TextPatterns.name) else {
            throw .unprocessable("\(field) must not contain control characters")
        }
        return name
    }
}
