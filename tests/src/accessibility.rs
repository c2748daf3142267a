//! WCAG 2.1 A and AA checks of a page with npm `axe-core` (installed by `cargo xtask test`, which
//! names its script in `STUBE_AXE`), injected over the DevTools protocol.

use anyhow::{Context, Result};
use chromiumoxide::Page;

/// The WCAG 2.1 level A and AA rules that `page` violates now, one line each with the elements.
pub async fn accessibility_violations(page: &Page) -> Result<Vec<String>> {
    let path = std::env::var("STUBE_AXE").context("STUBE_AXE is not set")?;
    let script =
        std::fs::read_to_string(&path).with_context(|| format!("could not read {path}"))?;
    page.evaluate(script)
        .await
        .context("could not load axe-core")?;
    const RUN: &str = r#"(async () => {
        const result = await axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return result.violations.map(v =>
            `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
    })()"#;
    Ok(page.evaluate(RUN).await?.into_value()?)
}
