import ArgumentParser
import DestinationsServer

struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print every configuration setting (flag, environment variable, default) as a Markdown table."
    )

    func run() {
        print(Settings.markdownTable)
    }
}
