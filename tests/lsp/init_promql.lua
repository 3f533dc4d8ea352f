-- Hover and completion in a rule file, asked by Neovim's built-in LSP client
-- (its own position conversion and text-edit application); writes what it
-- saw to a JSON file for tests/nvim_lsp.rs. Works with Neovim 0.7.
--
-- Environment: ALERTLINT_BIN, ALERTLINT_FILE (the rule file), ALERTLINT_OUT.

local bin = os.getenv('ALERTLINT_BIN')
local file = os.getenv('ALERTLINT_FILE')
local out = os.getenv('ALERTLINT_OUT')
local result = {}

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

-- The cursor on line `row` (1-based) at the byte where `needle` starts, plus `delta` bytes.
local function cursor_at(row, needle, delta)
  local line = vim.api.nvim_buf_get_lines(0, row - 1, row, false)[1]
  local s = string.find(line, needle, 1, true)
  vim.api.nvim_win_set_cursor(0, { row, s - 1 + delta })
end

local function request(buf, method, params)
  local responses = vim.lsp.buf_request_sync(buf, method, params, 20000) or {}
  for _, response in pairs(responses) do
    if response.result then return response.result end
  end
  return nil
end

local function find_row(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if string.find(line, needle, 1, true) then return i end
  end
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = { name = 'alertlint', cmd = { bin, 'lsp' }, root_dir = vim.fn.fnamemodify(file, ':p:h') }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = buf })
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  result.client_started = client_id ~= nil
  -- The file's one finding shows that the server has the document.
  result.linted = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  if not result.linted then return end

  -- 1. Hover on a function after non-ASCII text on its line.
  local row = find_row(buf, 'histogram_quantile')
  cursor_at(row, 'histogram_quantile', 4)
  local hover = request(buf, 'textDocument/hover', vim.lsp.util.make_position_params())
  result.hover = hover and hover.contents.value or vim.NIL
  result.hover_range = hover and hover.range or vim.NIL
  result.hover_row = row - 1

  -- 2. Hover on a recording rule's series.
  cursor_at(row, 'job:errors:rate5m', 3)
  local series = request(buf, 'textDocument/hover', vim.lsp.util.make_position_params())
  result.series_hover = series and series.contents.value or vim.NIL

  -- 3. Completion while typing a new rule, and the chosen item applied by Neovim.
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last, last, false, { '      - alert: New', '        expr: sum(job:er' })
  vim.wait(200)
  -- Normal mode cannot put the cursor after the last character, as insert
  -- mode does while typing: on the last one, one column further.
  local function after_last(needle)
    cursor_at(last + 2, needle, #needle - 1)
    local params = vim.lsp.util.make_position_params()
    params.position.character = params.position.character + 1
    return params
  end
  local completion = request(buf, 'textDocument/completion', after_last('job:er'))
  result.completion = {}
  local chosen
  for _, item in ipairs((completion and (completion.items or completion)) or {}) do
    table.insert(result.completion, item.label)
    if item.label == 'job:errors:rate5m' then chosen = item end
  end
  if chosen then
    vim.lsp.util.apply_text_edits({ chosen.textEdit }, buf, 'utf-16')
  end
  result.completed_line = vim.api.nvim_buf_get_lines(buf, last + 1, last + 2, false)[1]

  -- 4. Function names complete too.
  vim.api.nvim_buf_set_lines(buf, last + 1, last + 2, false, { '        expr: histogram_q' })
  vim.wait(200)
  local functions = request(buf, 'textDocument/completion', after_last('histogram_q'))
  result.functions = {}
  for _, item in ipairs((functions and (functions.items or functions)) or {}) do
    table.insert(result.functions, item.label)
  end
end)

result.ok = ok
result.error = err and tostring(err) or nil
finish()
