-- archie's pandoc filter: shape any reader's AST so the gfm writer emits Markdown that
-- archie's section parser reads well. Tables become pipe tables (cells flattened to one
-- line, spans filled, a header row guaranteed), images and raw markup are dropped, the
-- document title becomes the leading H1, and line breaks become soft breaks so that
-- "Key: value" lines stay one per line.

local stringify = pandoc.utils.stringify

local function flatten_cell(cell)
  local inlines = pandoc.utils.blocks_to_inlines(cell.contents, {pandoc.Str(";"), pandoc.Space()})
  local out = pandoc.Inlines{}
  for _, el in ipairs(inlines) do
    if el.t == "SoftBreak" or el.t == "LineBreak" then
      out:insert(pandoc.Space())
    elseif el.t ~= "Image" and el.t ~= "Note" then
      out:insert(el)
    end
  end
  cell.contents = {pandoc.Plain(out)}
  return cell
end

-- rows with every cell flattened and spans replaced by empty cells, so each row has
-- exactly `ncols` cells (what a pipe table needs)
local function normalise_rows(rows, ncols)
  local out = {}
  local carry = {}  -- column -> remaining rows a row-span still covers
  for _, row in ipairs(rows) do
    local cells = {}
    local col = 1
    local src = 1
    while col <= ncols do
      if carry[col] and carry[col] > 0 then
        carry[col] = carry[col] - 1
        table.insert(cells, pandoc.Cell({}))
        col = col + 1
      elseif src <= #row.cells then
        local cell = row.cells[src]
        src = src + 1
        local cs, rs = cell.col_span or 1, cell.row_span or 1
        cell.col_span, cell.row_span = 1, 1
        table.insert(cells, flatten_cell(cell))
        if rs > 1 then carry[col] = rs - 1 end
        col = col + 1
        for _ = 2, cs do
          if col > ncols then break end
          if rs > 1 then carry[col] = rs - 1 end
          table.insert(cells, pandoc.Cell({}))
          col = col + 1
        end
      else
        table.insert(cells, pandoc.Cell({}))
        col = col + 1
      end
    end
    row.cells = cells
    table.insert(out, row)
  end
  return out
end

function Table(tbl)
  local ncols = #tbl.colspecs
  local body_rows = {}
  for _, body in ipairs(tbl.bodies) do
    for _, r in ipairs(body.head) do table.insert(body_rows, r) end
    for _, r in ipairs(body.body) do table.insert(body_rows, r) end
  end
  for _, r in ipairs(tbl.foot.rows) do table.insert(body_rows, r) end
  local head_rows = tbl.head.rows
  if #head_rows == 0 and #body_rows > 0 then
    head_rows = {table.remove(body_rows, 1)}
  end
  head_rows = normalise_rows(head_rows, ncols)
  -- header cells are emphasised by their position already; "**Service**" only adds noise
  for _, row in ipairs(head_rows) do
    for _, cell in ipairs(row.cells) do
      cell.contents = pandoc.Blocks(cell.contents):walk({Strong = function(s) return s.content end})
    end
  end
  -- several header rows: keep the first as the header, the rest as body rows
  local head = {head_rows[1]}
  for i = #head_rows, 2, -1 do table.insert(body_rows, 1, head_rows[i]) end
  body_rows = normalise_rows(body_rows, ncols)
  for i, spec in ipairs(tbl.colspecs) do tbl.colspecs[i] = {spec[1], nil} end
  tbl.head = pandoc.TableHead(head)
  tbl.bodies = {{attr = pandoc.Attr(), body = body_rows, head = {}, row_head_columns = 0}}
  tbl.foot = pandoc.TableFoot()
  local caption = stringify(tbl.caption.long or {})
  tbl.caption = pandoc.Caption()
  if caption ~= "" then
    return {pandoc.Para({pandoc.Strong(pandoc.Str(caption))}), tbl}
  end
  return tbl
end

function Header(h)
  -- a heading is a section name: links in it (docutils' back-links to the contents) go
  h.content = h.content:walk({Link = function(l) return l.content end})
  return h
end

function CodeBlock(code)
  -- keep a language name, drop exporters' styling classes ("syntaxhighlighter-pre")
  local lang = {}
  for _, c in ipairs(code.classes) do
    if c:match("^[%w+#]+$") and #lang == 0 then table.insert(lang, c) end
  end
  -- an unnamed block still gets a fence: an indented block after a list needs a separator
  code.classes = #lang > 0 and lang or {"text"}
  code.attributes = {}
  return code
end

function Image(img)
  return {}
end

function Figure(fig)
  return fig.content
end

function RawBlock(raw)
  return {}
end

function RawInline(raw)
  return {}
end

function LineBreak()
  return pandoc.SoftBreak()
end

function Div(div)
  -- AsciiDoc block titles (".Title") arrive as a div of class "title": keep them as bold text
  if div.classes:includes("title") then
    return pandoc.Para({pandoc.Strong(pandoc.Str(stringify(div)))})
  end
  return div.content
end

function Span(span)
  return span.content
end

function Pandoc(doc)
  -- A title kept in metadata (AsciiDoc "= Title", Word's Title style, reST's promoted
  -- section) becomes the one leading H1; when the body already uses H1 for its sections,
  -- every heading moves down a level so the title stays the only H1.
  local title = doc.meta.title and stringify(doc.meta.title) or ""
  if title == "" then return doc end
  local first = doc.blocks[1]
  if first and first.t == "Header" and stringify(first) == title then return doc end
  local has_h1 = false
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 then has_h1 = true break end
  end
  if has_h1 then
    doc.blocks = doc.blocks:walk({
      Header = function(h) h.level = math.min(h.level + 1, 6) return h end
    })
  end
  doc.blocks:insert(1, pandoc.Header(1, pandoc.Inlines(title)))
  return doc
end
