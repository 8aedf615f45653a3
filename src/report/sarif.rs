//! SARIF 2.1.0 for GitHub code scanning: one run, the rule catalog as the driver's rules, one
//! result per finding (suppressed findings carry an in-source suppression).

use serde_json::{Value, json};

use crate::analysis::rules::{Finding, Risk, Rule};

/// SARIF level for a risk: CRITICAL and HIGH are errors, MEDIUM warnings, LOW notes.
fn level(risk: Risk) -> &'static str {
    match risk {
        Risk::Critical | Risk::High => "error",
        Risk::Medium => "warning",
        Risk::Low => "note",
    }
}

/// GitHub's `security-severity` (0.0-10.0) orders alerts by it.
fn severity(risk: Risk) -> &'static str {
    match risk {
        Risk::Critical => "9.5",
        Risk::High => "8.0",
        Risk::Medium => "5.0",
        Risk::Low => "2.0",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.why },
        "help": {
            "text": format!("{}\n\nSafe alternative: {}", rule.why, rule.safe_alternative),
            "markdown": format!("{}\n\n**Safe alternative:** {}", rule.why, rule.safe_alternative),
        },
        "defaultConfiguration": { "level": level(rule.risk) },
        "properties": {
            "tags": ["schemagate", "database-migration"],
            "security-severity": severity(rule.risk),
            "precision": "high",
        },
    })
}

fn result(finding: &Finding, rules: &[Rule]) -> Value {
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level(finding.risk),
        "message": { "text": format!("[{}] {}", finding.risk, finding.message) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": finding.file, "uriBaseId": "%SRCROOT%" },
                // SARIF lines are 1-based; a whole-file finding points at line 1.
                "region": { "startLine": finding.line.max(1) },
            }
        }],
        "partialFingerprints": {
            "schemagate/v1": format!(
                "{}:{}:{}:{}",
                finding.rule,
                finding.file,
                finding.table.as_deref().unwrap_or(""),
                finding.column.as_deref().unwrap_or("")
            ),
        },
    });
    if let Some(index) = rules.iter().position(|r| r.id == finding.rule) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(suppression) = &finding.suppressed {
        result["suppressions"] = json!([{
            "kind": "inSource",
            "justification": format!("{} (accepted by {})", suppression.reason, suppression.by),
        }]);
    }
    result
}

/// The SARIF log for `findings`, describing every rule of `rules`.
pub fn render_sarif(findings: &[Finding], rules: &[Rule]) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "schemagate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
                }
            },
            "results": findings.iter().map(|f| result(f, rules)).collect::<Vec<_>>(),
        }]
    })
}
