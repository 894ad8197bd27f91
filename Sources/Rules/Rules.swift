/// Rules: the shipped and local rules, as data (`rules/*.yaml`).
///
/// ``RuleSet`` loads a rules folder, checks every file and gives the ``RuleSet/version`` that the
/// incremental scan compares: change a rule and every item is looked at again. ``RetentionSchedule``
/// is the schedule's shape (CONTRACT.md); ``RulesError`` names the file, the line and the fix.
public enum Rules {}
