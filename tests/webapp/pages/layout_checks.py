"""What the layout test measures in the page itself (JavaScript run by Playwright), apart so a
developer can run the same checks against a running site by hand."""

from __future__ import annotations

# Returns {width, scroll, cut: [...], small: [...]} for the page as laid out now.
# - scroll: the document's width; wider than the viewport means the page scrolls sideways.
# - cut: text that runs out of the box it sits in (a card, a cell, a clipping element).
# - small: targets under 24x24 CSS px that the spacing exception of WCAG 2.2 (2.5.8) does not save:
#   a 24 px circle on their centre meets another target or another small target's circle.
#   Links inside running text are excepted (2.5.8 "inline"), as axe does.
LAYOUT_JS = r"""() => {
  const vw = document.documentElement.clientWidth;
  const scroll = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const describe = el => {
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].slice(0, 2).join('.') : '';
    return `${el.tagName.toLowerCase()}${id}${cls} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`;
  };
  const isBox = el => {
    const s = getComputedStyle(el);
    return s.overflowX !== 'visible' || parseFloat(s.borderRightWidth) > 0 || parseFloat(s.borderLeftWidth) > 0
      || el.tagName === 'TD' || el.tagName === 'TH' || el.tagName === 'BUTTON';
  };
  const cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const parent = node.parentElement;
    if (!parent || !visible(parent) || parent.closest('svg, .visually-hidden, script, style, [hidden]')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    if (!rects.length) continue;
    const right = Math.max(...rects.map(r => r.right)), left = Math.min(...rects.map(r => r.left));
    if (right <= 0 || left >= vw) continue;  // placed off screen on purpose (a skip link until focused)
    if (right > vw + 1 || left < -1) {
      cut.push(`${describe(parent)} buiten het scherm (${Math.round(right)}px)`);
      continue;
    }
    let box = parent;
    while (box && box !== document.body && !isBox(box)) box = box.parentElement;
    if (!box || box === document.body) continue;
    const b = box.getBoundingClientRect();
    const s = getComputedStyle(box);
    const inner = b.right - parseFloat(s.borderRightWidth), innerLeft = b.left + parseFloat(s.borderLeftWidth);
    if (right > inner + 1 || left < innerLeft - 1) cut.push(`${describe(parent)} loopt uit ${describe(box)}`);
  }
  const targets = [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], '
      + '[tabindex]:not([tabindex="-1"])')]
    .filter(el => visible(el) && !el.closest('svg'));
  const rects = targets.map(el => el.getBoundingClientRect());
  const inText = el => {
    if (getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement.closest('p, li, dd, td, figcaption, blockquote');
    if (!block) return false;
    const own = [...block.querySelectorAll('a, button')].reduce((n, t) => n + t.textContent.length, 0);
    return block.textContent.trim().length > own + 1;  // there is running text around the link
  };
  const small = [];
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const distToRect = (p, r) => Math.hypot(Math.max(r.left - p[0], 0, p[0] - r.right),
                                          Math.max(r.top - p[1], 0, p[1] - r.bottom));
  targets.forEach((el, i) => {
    const r = rects[i];
    if (r.width >= 24 && r.height >= 24) return;
    if (el.tagName === 'INPUT' && el.type !== 'checkbox' && el.type !== 'radio' || inText(el)) return;
    const c = centre(r);
    const clash = targets.some((other, j) => {
      if (j === i || other.contains(el) || el.contains(other)) return false;
      const o = rects[j];
      if (distToRect(c, o) < 12) return true;
      const undersized = o.width < 24 || o.height < 24;
      return undersized && Math.hypot(c[0] - centre(o)[0], c[1] - centre(o)[1]) < 24;
    });
    if (clash) small.push(`${describe(el)} ${Math.round(r.width)}x${Math.round(r.height)}px`);
  });
  return {width: vw, scroll, cut, small};
}"""

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
