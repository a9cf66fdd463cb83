import yaml, os, re, glob, sys
root = sys.argv[1]
E = yaml.safe_load(open(os.path.join(root, 'expected.yaml')))
adrs = {f"ADR-{os.path.basename(p)[:4]}" for p in glob.glob(os.path.join(root,'org/adr/*.md'))}
pirs = set()
for p in glob.glob(os.path.join(root,'org/postmortems/*.md')):
    fm = yaml.safe_load(open(p).read().split('---')[1]); pirs.add(fm['id'])
accepted = set(); rejected=set()
for p in glob.glob(os.path.join(root,'org/adr/*.md')):
    fm = yaml.safe_load(open(p).read().split('---')[1])
    a = f"ADR-{os.path.basename(p)[:4]}"
    if fm['status']=='accepted': accepted.add(a)
    if fm['status']=='rejected': rejected.add(a)
errs=[]; cats={}; sev={}; n=0; clean=0
docs_listed=set()
for d in E:
    path=os.path.join(root,d['doc']); docs_listed.add(d['doc'])
    text=open(path).read(); lines=text.split('\n')
    fm=yaml.safe_load(text.split('---')[1])
    if fm['id']!=d['id']: errs.append(f"{d['doc']} id mismatch")
    for k in ('title','status','author','date','services'):
        if k not in fm: errs.append(f"{d['doc']} missing fm {k}")
    wc=len(text.split())
    if not 600<=wc<=2000: errs.append(f"{d['doc']} wordcount {wc}")
    if d['clean']:
        clean+=1
        if d['defects']: errs.append(f"{d['doc']} clean with defects")
    defect_lines=set()
    for df in d['defects']:
        n+=1; cats[df['category']]=cats.get(df['category'],0)+1; sev[df['severity']]=sev.get(df['severity'],0)+1
        assert df['category'] in 'completeness tradeoff pattern security conflict precedent incident hype'.split()
        assert df['severity'] in ('high','medium','low')
        q=df['quote']
        if q is None:
            if any(l.startswith('#') and df['section'].lower() in l.lower() for l in lines):
                errs.append(f"{d['doc']} missing section present: {df['section']}")
        else:
            hits=[i for i,l in enumerate(lines) if q in l]
            if len(hits)!=1: errs.append(f"{d['doc']} quote hits={len(hits)}: {q}")
            else:
                defect_lines.add(hits[0])
                # nearest heading
                h=next((lines[j] for j in range(hits[0],-1,-1) if lines[j].startswith('#')),None)
                if df['section'] not in (h or ''): errs.append(f"{d['doc']} section {df['section']!r} vs heading {h!r}")
        if df['category']=='conflict':
            if df.get('adr') not in accepted: errs.append(f"conflict adr {df.get('adr')}")
        elif df['category']=='precedent':
            if df.get('adr') not in rejected: errs.append(f"precedent adr {df.get('adr')}")
        elif 'adr' in df: errs.append("adr on non conflict")
        if df['category']=='incident':
            if df.get('postmortem') not in pirs: errs.append(f"pir {df.get('postmortem')}")
        elif 'postmortem' in df: errs.append("pm on non incident")
    for t in d['traps']:
        hits=[i for i,l in enumerate(lines) if t in l]
        if len(hits)!=1: errs.append(f"{d['doc']} trap hits={len(hits)}: {t}")
        elif hits[0] in defect_lines: errs.append(f"{d['doc']} trap on defect line: {t}")
alldocs={'docs/'+os.path.basename(p) for p in glob.glob(os.path.join(root,'docs/*.md'))}
if alldocs!=docs_listed: errs.append(f"doc set mismatch {alldocs^docs_listed}")
print("errors:", *errs, sep='\n  ')
print("docs",len(E),"clean",clean,"defects",n,cats,sev)
print("adrs",len(adrs),"pirs",len(pirs))
