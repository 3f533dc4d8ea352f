//! Every recipe of `docs/policies.md` is run: its `config` block as the
//! configuration, its `rules` block as `rules.yaml`, and the `policy/...`
//! findings must be exactly its `findings` block. The examples are read from
//! the document itself, so the documentation and this test cannot drift.

use alertlint::config::Config;
use alertlint::engine::{Engine, Input, Selection};
use alertlint::source::SourceFile;

const COOKBOOK: &str = include_str!("../docs/policies.md");

struct Recipe {
    title: String,
    config: String,
    rules: String,
    findings: Vec<String>,
}

/// Fenced blocks tagged `yaml config`, `yaml rules` and `text findings`,
/// grouped by the `###` heading above them.
fn recipes() -> Vec<Recipe> {
    let mut recipes: Vec<Recipe> = Vec::new();
    let mut title = String::new();
    let mut block: Option<(String, Vec<&str>)> = None;
    let mut current = (None::<String>, None::<String>);
    for line in COOKBOOK.lines() {
        if let Some((tag, lines)) = &mut block {
            if line.starts_with("```") {
                let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
                match tag.as_str() {
                    "yaml config" => current.0 = Some(text),
                    "yaml rules" => current.1 = Some(text),
                    "text findings" => {
                        let (Some(config), Some(rules)) = (current.0.take(), current.1.take()) else {
                            panic!("recipe `{title}`: a findings block needs a config and a rules block before it");
                        };
                        let findings = lines.iter().map(|l| l.to_string()).collect();
                        recipes.push(Recipe { title: title.clone(), config, rules, findings });
                    }
                    _ => {}
                }
                block = None;
            } else {
                lines.push(line);
            }
        } else if let Some(heading) = line.strip_prefix("### ") {
            assert!(current.0.is_none() && current.1.is_none(), "recipe `{title}` has no findings block");
            title = heading.to_string();
        } else if let Some(tag) = line.strip_prefix("```") {
            block = Some((tag.trim().to_string(), Vec::new()));
        }
    }
    recipes
}

fn run(recipe: &Recipe) -> Vec<String> {
    let config = Config::parse(SourceFile::new(".alertlint.yaml", recipe.config.as_str()))
        .unwrap_or_else(|e| panic!("recipe `{}`: configuration: {e}", recipe.title));
    let engine =
        Engine::new(config, Selection::default()).unwrap_or_else(|e| panic!("recipe `{}`: engine: {e}", recipe.title));
    let reports = engine.check(vec![Input { name: "rules.yaml".into(), bytes: recipe.rules.as_bytes().to_vec() }]);
    let mut found = Vec::new();
    for report in &reports {
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.severity.as_str() == "error").collect();
        assert!(
            errors.iter().all(|d| d.lint.starts_with("policy/")),
            "recipe `{}`: the rule file itself has errors: {:?}",
            recipe.title,
            errors.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        for d in report.diagnostics.iter().filter(|d| d.lint.starts_with("policy/")) {
            let p = report.file.position(d.span.start);
            let detail = d.labels.first().map(|l| format!(" ({})", l.message)).unwrap_or_default();
            found.push(format!("{}:{} [{}] {}{detail}", p.line, p.column, d.lint, d.message));
        }
    }
    found
}

#[test]
fn every_cookbook_recipe_gives_its_documented_findings() {
    let recipes = recipes();
    assert!(recipes.len() >= 15, "only {} recipes found in docs/policies.md", recipes.len());
    let mut wrong = Vec::new();
    for recipe in &recipes {
        let found = run(recipe);
        if found != recipe.findings {
            wrong.push(format!(
                "### {}\nexpected:\n{}\nfound:\n{}\n",
                recipe.title,
                recipe.findings.join("\n"),
                found.join("\n")
            ));
        }
    }
    assert!(wrong.is_empty(), "recipes whose findings differ from docs/policies.md:\n\n{}", wrong.join("\n"));
}

#[test]
fn every_recipe_fails_without_its_policy_being_satisfied() {
    // Each recipe that documents findings shows both sides: a rule that passes
    // and one that does not, unless it demonstrates scoping.
    for recipe in recipes() {
        let rule_count = recipe.rules.matches("- alert:").count() + recipe.rules.matches("- record:").count();
        assert!(rule_count >= 1, "recipe `{}` has no rules", recipe.title);
        if !recipe.findings.is_empty() {
            assert!(
                rule_count >= 2 || recipe.rules.matches("- name:").count() >= 2,
                "recipe `{}` has no passing rule",
                recipe.title
            );
        }
    }
}

#[test]
fn the_cookbook_names_every_promruval_validator_and_pint_check() {
    const PROMRUVAL: &[&str] = &[
        "hasAllowedSourceTenants",
        "hasAllowedEvaluationInterval",
        "hasValidPartialResponseStrategy",
        "maxRulesPerGroup",
        "hasValidLimit",
        "groupNameMatchesRegexp",
        "hasAllowedQueryOffset",
        "hasLabels",
        "doesNotHaveLabels",
        "hasAnyOfLabels",
        "labelMatchesRegexp",
        "labelHasAllowedValue",
        "nonEmptyLabels",
        "exclusiveLabels",
        "expressionIsValidPromQL",
        "expressionDoesNotUseExperimentalFunctions",
        "expressionDoesNotUseMetrics",
        "expressionDoesNotUseLabels",
        "expressionUsesOnlyAllowedLabelsForMetricRegexp",
        "expressionDoesNotUseLabelsForMetricRegexp",
        "expressionUsesOnlyAllowedLabelValuesForMetricRegexp",
        "expressionDoesNotUseOlderDataThan",
        "expressionDoesNotUseRangeShorterThan",
        "expressionDoesNotUseIrate",
        "validFunctionsOnCounters",
        "rateBeforeAggregation",
        "expressionUsesUnderscoresInLargeNumbers",
        "expressionWithNoMetricName",
        "expressionIsWellFormatted",
        "expressionDoesNotUseClassicHistogramBucketOperations",
        "expressionCanBeEvaluated",
        "expressionUsesExistingLabels",
        "expressionSelectorsMatchesAnything",
        "expressionIsValidLogQL",
        "logQlExpressionUsesRangeAggregation",
        "hasSourceTenantsForMetrics",
        "doesNotContainTypos",
        "validateLabelTemplates",
        "hasAnnotations",
        "doesNotHaveAnnotations",
        "hasAnyOfAnnotations",
        "annotationMatchesRegexp",
        "annotationHasAllowedValue",
        "annotationIsValidURL",
        "annotationIsValidPromQL",
        "validateAnnotationTemplates",
        "forIsNotLongerThan",
        "keepFiringForIsNotLongerThan",
        "alertNameMatchesRegexp",
        "recordedMetricNameMatchesRegexp",
        "recordedMetricNameDoesNotMatchRegexp",
    ];
    const PINT: &[&str] = &[
        "rule/label",
        "alerts/annotation",
        "rule/for",
        "rule/name",
        "rule/reject",
        "promql/aggregate",
        "promql/selector",
        "group/interval",
    ];
    let rows: Vec<&str> = COOKBOOK.lines().filter(|l| l.starts_with("| `")).collect();
    for name in PROMRUVAL.iter().chain(PINT) {
        assert!(rows.iter().any(|row| row.contains(&format!("`{name}`"))), "docs/policies.md has no row for `{name}`");
    }
}
