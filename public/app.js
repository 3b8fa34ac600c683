// Theme toggle: cycles system → dark → light, remembered in localStorage.
(function () {
  var root = document.documentElement;
  // A status page may fix its theme; a visitor's own choice still wins.
  var fixed = root.classList.contains('dark') ? 'dark' : root.classList.contains('light') ? 'light' : null;
  function apply(theme) {
    theme = theme || fixed;
    root.classList.remove('dark', 'light');
    if (theme === 'dark' || theme === 'light') root.classList.add(theme);
    var btn = document.getElementById('theme-toggle');
    if (btn) btn.textContent = theme === 'dark' ? 'Theme: dark' : theme === 'light' ? 'Theme: light' : 'Theme: system';
  }
  var saved = null;
  try { saved = localStorage.getItem('sp-theme'); } catch (e) {}
  apply(saved);
  document.addEventListener('DOMContentLoaded', function () {
    apply(saved);
    var btn = document.getElementById('theme-toggle');
    if (!btn) return;
    btn.hidden = false;
    btn.addEventListener('click', function () {
      saved = saved === 'dark' ? 'light' : saved === 'light' ? null : 'dark';
      try { saved ? localStorage.setItem('sp-theme', saved) : localStorage.removeItem('sp-theme'); } catch (e) {}
      apply(saved);
    });
  });
})();
