import HTTPTypes

struct TestResponseSummary {
    let status: HTTPResponse.Status
    let message: String
}
