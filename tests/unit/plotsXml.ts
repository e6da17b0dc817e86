// A strict little XML parser for the plot tests: elements, attributes and text only (the plot module writes no
// comments, CDATA or processing instructions). Anything not well-formed throws: an unescaped '<' or '&', an
// unquoted or duplicate attribute, a mismatched end tag, text outside the root element.

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Decoded text directly inside this element. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw '<' in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`bare '&' in ${where}`);
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    if (/^#x[0-9a-f]+$/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    const e = ENTITIES[name];
    if (e === undefined) throw new Error(`unknown entity &${name}; in ${where}`);
    return e;
  });
}

export function parseXml(src: string): XmlNode {
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  let i = 0;
  const NAME = /[A-Za-z_][\w.:-]*/y;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const chunk = src.slice(i, lt < 0 ? src.length : lt);
    if (chunk.length) {
      const top = stack[stack.length - 1];
      if (!top) {
        if (chunk.trim()) throw new Error(`text outside the root element: ${chunk.slice(0, 40)}`);
      } else top.text += decode(chunk, `<${top.name}> text`);
    }
    if (lt < 0) break;
    i = lt + 1;
    if (src[i] === '/') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(src);
      if (!m) throw new Error(`bad end tag at ${lt}`);
      const gt = src.indexOf('>', NAME.lastIndex);
      if (gt < 0 || src.slice(NAME.lastIndex, gt).trim()) throw new Error(`bad end tag at ${lt}`);
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`</${m[0]}> closes <${open?.name ?? 'nothing'}>`);
      i = gt + 1;
      continue;
    }
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) throw new Error(`'<' not starting a tag at ${lt}: ${src.slice(lt, lt + 20)}`);
    const node: XmlNode = { name: m[0], attrs: {}, children: [], text: '' };
    i = NAME.lastIndex;
    const ATTR = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;
    for (;;) {
      ATTR.lastIndex = i;
      const a = ATTR.exec(src);
      if (!a) break;
      if (a[1]! in node.attrs) throw new Error(`duplicate attribute ${a[1]} on <${node.name}>`);
      node.attrs[a[1]!] = decode(a[3] ?? a[4] ?? '', `attribute ${a[1]}`);
      i = ATTR.lastIndex;
    }
    const rest = /\s*(\/?)>/y;
    rest.lastIndex = i;
    const end = rest.exec(src);
    if (!end) throw new Error(`malformed tag <${node.name}> at ${lt}: ${src.slice(i, i + 30)}`);
    i = rest.lastIndex;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else if (root) throw new Error('a second root element');
    else root = node;
    if (!end[1]) stack.push(node);
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw new Error('no element');
  return root;
}

/** Every element below (and including) `node` that matches. */
export function findAll(node: XmlNode, pred: (n: XmlNode) => boolean): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode): void => {
    if (pred(n)) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

export const hasClass = (cls: string) => (n: XmlNode): boolean => (n.attrs.class ?? '').split(/\s+/).includes(cls);

/** All decoded text below `node`. */
export function deepText(node: XmlNode): string {
  return node.text + node.children.map(deepText).join('');
}

/** The <title> child's text of an element ('' without one). */
export function titleOf(node: XmlNode): string {
  return node.children.find((c) => c.name === 'title')?.text ?? '';
}
