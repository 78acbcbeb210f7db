#!/usr/bin/env python3
"""Warp-stall samples of an ncu source page (`--page source --csv --print-source sass`, gzipped),
by region: instructions run once per warp (prologue, epilogue), up to four times, or more (the
k-loop). Usage: stalls-by-region.py src-*.csv.gz"""
import csv,gzip,sys,collections
def load(f):
    r=csv.reader(gzip.open(f,'rt')); next(r); h=next(r)
    ix={k:i for i,k in enumerate(h)}
    st=[k for k in h if k.startswith('stall_') and 'Not Issued' not in k]
    out=[]
    for row in r:
        if len(row)<len(h)-1: continue
        out.append(dict(a=row[ix['Address']],s=row[ix['Source']].strip(),e=int(row[ix['Instructions Executed']] or 0),n=int(row[ix['Warp Stall Sampling (All Samples)']] or 0),
          st={k:int(row[ix[k]] or 0) for k in st}))
    return out
for f in sys.argv[1:]:
    ins=load(f); warps=ins[0]['e']
    reg={'once':collections.Counter(),'few':collections.Counter(),'loop':collections.Counter()}
    for x in ins:
        if x['e']==0: continue
        per=x['e']/warps; k='once' if per<=1.0001 else ('few' if per<=4 else 'loop')
        for s,v in x['st'].items(): reg[k][s]+=v
    print(f.split('/')[-1][4:-7])
    for k,c in reg.items(): print('  ',k, sum(c.values()), ', '.join(f"{s[6:]}={v}" for s,v in c.most_common(6)))
