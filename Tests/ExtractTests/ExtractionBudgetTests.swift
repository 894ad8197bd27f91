import Extract
import Foundation
import Testing

@Suite struct ExtractionBudgetTests {
    @Test func eachNestedItemGetsATimeWindowOfItsOwn() {
        var limits = ExtractionLimits()
        limits.secondsPerItem = 10
        // Started 11 s ago: the file's own window has passed…
        let budget = ExtractionBudget(limits: limits, now: ExtractionBudget.clock() - 11)
        #expect(budget.check()?.kind == .timeout)
        // …but a container that yields another item has 10 s more for it.
        #expect(budget.addChild() == nil)
        #expect(budget.check() == nil)
    }

    @Test func expansionAndChildCountsAreCapped() {
        var limits = ExtractionLimits()
        limits.maxExpandedBytes = 100
        limits.maxChildren = 2
        let budget = ExtractionBudget(limits: limits)
        #expect(budget.expand(60) == nil)
        #expect(budget.expand(60)?.kind == .limit)
        let counted = ExtractionBudget(limits: limits)
        #expect(counted.addChild() == nil && counted.addChild() == nil)
        #expect(counted.addChild()?.kind == .limit)
    }

    @Test func problemsSayTheirKindFirst() {
        #expect(Problem(.limit, "too big").message == "limit hit: too big")
        #expect(Problem(.encrypted, "encrypted: already said").message == "encrypted: already said")
    }
}
