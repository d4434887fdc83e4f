OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> x, w, dy = (np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 4)))\n'
                                               '>>> dx, dw, db = dense_backward(dy, x, w)\n'
                                               '>>> assert np.shape(dx) == (2, 3) and np.shape(dw) == (3, 4) and (np.shape(db) == (4,))\n',
                                       'failure_message': 'dx has the shape of x (N, D), dw of w (D, M), db of b (M,)',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
