import DestinationsCore
import Testing

@Suite struct PageRequestTests {
    @Test func defaults() throws {
        let request = try PageRequest(page: nil, perPage: nil, order: nil)
        #expect(request.page == 1)
        #expect(request.perPage == 25)
        #expect(request.order == .descending)
        #expect(!request.orderWasGiven)
    }

    @Test(arguments: [0, -1, Int64.min])
    func perPageBelowOneIsRejected(_ perPage: Int64) {
        #expect(throws: APIError.badRequest("per_page must be at least 1")) {
            try PageRequest(page: nil, perPage: perPage, order: nil)
        }
    }

    @Test func perPageIsCutAndPageRaised() throws {
        let request = try PageRequest(page: -4, perPage: 5_000, order: .ascending)
        #expect(request.perPage == 100)
        #expect(request.page == 1)
        #expect(request.orderWasGiven)
    }

    @Test func theSeedsExample() throws {
        let first = Page(items: [1, 2, 3, 4], request: try PageRequest(page: 1, perPage: 4, order: nil), totalRecords: 7)
        #expect(first.lastPage == 2)
        #expect(first.nextPage == 2)
        #expect(first.prevPage == nil)
        let second = Page(items: [5, 6, 7], request: try PageRequest(page: 2, perPage: 4, order: nil), totalRecords: 7)
        #expect(second.nextPage == nil)
        #expect(second.prevPage == 1)
    }

    @Test func offsets() throws {
        #expect(try PageRequest(page: 3, perPage: 10, order: nil).offset(whenTotalIs: 25) == 20)
        #expect(try PageRequest(page: 4, perPage: 10, order: nil).offset(whenTotalIs: 25) == nil)
        #expect(try PageRequest(page: 1, perPage: 10, order: nil).offset(whenTotalIs: 0) == 0)
        // A huge page never overflows: it is past the end.
        #expect(try PageRequest(page: .max, perPage: 100, order: nil).offset(whenTotalIs: 1_000) == nil)
    }

    @Test func emptyListHasOnePage() throws {
        let page = Page<Int>(items: [], request: try PageRequest(page: nil, perPage: nil, order: nil), totalRecords: 0)
        #expect(page.lastPage == 1)
        #expect(page.nextPage == nil)
    }
}
